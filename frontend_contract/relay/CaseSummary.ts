// Relay documents are the graphql`` templates below; relay-compiler reads them and writes
// their artifacts to __generated__/. In an application, `graphql` comes from react-relay.
import { graphql } from "./graphql";

// What a case list row and a case header show.
export const CaseSummaryFragment = graphql`
  fragment CaseSummary_case on Case {
    id
    shortId
    status
    workflowStage
    revision
    updatedAt
    nameFirst
    nameLast
    sex
    age
    riskLevel
    owner {
      username
      fullName
    }
    flags {
      id
      reason
      flaggedAt
      removedAt
    }
  }
`;
