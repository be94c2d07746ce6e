/**
 * @generated SignedSource<<dbf3434515282d2779a298b434cf852b>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type NodeRefetch_flag$data = {
  readonly flaggedAt: string;
  readonly flaggedBy: {
    readonly fullName: string;
    readonly id: string;
  };
  readonly id: string;
  readonly reason: string;
  readonly removalNote: string;
  readonly removedAt: string | null | undefined;
  readonly " $fragmentType": "NodeRefetch_flag";
};
export type NodeRefetch_flag$key = {
  readonly " $data"?: NodeRefetch_flag$data;
  readonly " $fragmentSpreads": FragmentRefs<"NodeRefetch_flag">;
};

import NodeRefetchFlagQuery_graphql from './NodeRefetchFlagQuery.graphql';

const node: ReaderFragment = (function(){
var v0 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
};
return {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": NodeRefetchFlagQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "NodeRefetch_flag",
  "selections": [
    (v0/*:: as any*/),
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "reason",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "flaggedAt",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "removedAt",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "removalNote",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "concreteType": "UserRef",
      "kind": "LinkedField",
      "name": "flaggedBy",
      "plural": false,
      "selections": [
        (v0/*:: as any*/),
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "fullName",
          "storageKey": null
        }
      ],
      "storageKey": null
    }
  ],
  "type": "FlagInfo",
  "abstractKey": null
};
})();

(node as any).hash = "671c89f7d8f84e780a288e31f6001930";

export default node;
