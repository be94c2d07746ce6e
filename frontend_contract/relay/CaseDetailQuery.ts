import { graphql } from "./graphql";

export const CaseDetailQuery = graphql`
  query CaseDetailQuery($id: ID!) {
    case(id: $id) {
      ...CaseSummary_case
      dateOfBirth
      services {
        uid
        serviceType
        serviceDueDate
        serviceImplemented
      }
    }
  }
`;
