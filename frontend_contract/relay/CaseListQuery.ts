import { graphql } from "./graphql";

// One page of cases, for a screen that pages by hand; CaseListPagination_query is the
// @connection fragment Relay's usePaginationFragment keeps appending to.
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
