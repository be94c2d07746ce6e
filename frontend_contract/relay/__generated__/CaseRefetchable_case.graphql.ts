/**
 * @generated SignedSource<<30ff634d448b77a4b7dbd17b68797ab8>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type RecordState = "CLOSED" | "OPEN" | "REOPENED" | "%future added value";
import { FragmentRefs } from "relay-runtime";
export type CaseRefetchable_case$data = {
  readonly id: string;
  readonly redactedFields: ReadonlyArray<string>;
  readonly revision: number;
  readonly status: RecordState;
  readonly updatedAt: string;
  readonly workflowStage: string;
  readonly " $fragmentSpreads": FragmentRefs<"CaseSummary_case">;
  readonly " $fragmentType": "CaseRefetchable_case";
};
export type CaseRefetchable_case$key = {
  readonly " $data"?: CaseRefetchable_case$data;
  readonly " $fragmentSpreads": FragmentRefs<"CaseRefetchable_case">;
};

import CaseRefetchableQuery_graphql from './CaseRefetchableQuery.graphql';

const node: ReaderFragment = {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": CaseRefetchableQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "CaseRefetchable_case",
  "selections": [
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "id",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "revision",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "status",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "workflowStage",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "updatedAt",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "redactedFields",
      "storageKey": null
    },
    {
      "args": null,
      "kind": "FragmentSpread",
      "name": "CaseSummary_case"
    }
  ],
  "type": "Case",
  "abstractKey": null
};

(node as any).hash = "5a70337d4e0558609071ef2e9d809a55";

export default node;
