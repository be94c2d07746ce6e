import { graphql } from "./graphql";

// A case header that reloads itself: Relay generates CaseRefetchableQuery, which fetches the
// case again through `node(id:)` with the fragment's selections.
export const CaseRefetchableFragment = graphql`
  fragment CaseRefetchable_case on Case @refetchable(queryName: "CaseRefetchableQuery") {
    id
    revision
    status
    workflowStage
    updatedAt
    redactedFields
    ...CaseSummary_case
  }
`;
