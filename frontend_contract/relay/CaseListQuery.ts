import { graphql } from "./graphql";

// A page of cases. Once PageInfo has hasPreviousPage and startCursor, this becomes a
// @connection pagination fragment (see the README).
export const CaseListQuery = graphql`
  query CaseListQuery($first: Int!, $after: String) {
    cases(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...CaseSummary_case
        }
      }
    }
  }
`;
