/**
 * @generated SignedSource<<6933db38c3bc3039604a4b9551a96f49>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
import { FragmentRefs } from "relay-runtime";
export type NodeRefetch_note$data = {
  readonly author: {
    readonly fullName: string;
    readonly id: string;
  };
  readonly body: string;
  readonly createdAt: string;
  readonly id: string;
  readonly subject: string;
  readonly " $fragmentType": "NodeRefetch_note";
};
export type NodeRefetch_note$key = {
  readonly " $data"?: NodeRefetch_note$data;
  readonly " $fragmentSpreads": FragmentRefs<"NodeRefetch_note">;
};

import NodeRefetchNoteQuery_graphql from './NodeRefetchNoteQuery.graphql';

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
      "operation": NodeRefetchNoteQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "NodeRefetch_note",
  "selections": [
    (v0/*:: as any*/),
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "subject",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "body",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "createdAt",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "concreteType": "UserRef",
      "kind": "LinkedField",
      "name": "author",
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
  "type": "NoteInfo",
  "abstractKey": null
};
})();

(node as any).hash = "1e8aa6113de662d62aee5ba2ae8ef202";

export default node;
