import { graphql } from "./graphql";

// A flag and a note that reload themselves by their ids alone: for each, Relay generates a
// query that fetches it again through `node(id:)` (null when the caller may no longer see it).
export const NodeRefetchFlagFragment = graphql`
  fragment NodeRefetch_flag on FlagInfo @refetchable(queryName: "NodeRefetchFlagQuery") {
    id
    reason
    flaggedAt
    removedAt
    removalNote
    flaggedBy {
      id
      fullName
    }
  }
`;

export const NodeRefetchNoteFragment = graphql`
  fragment NodeRefetch_note on NoteInfo @refetchable(queryName: "NodeRefetchNoteQuery") {
    id
    subject
    body
    createdAt
    author {
      id
      fullName
    }
  }
`;
