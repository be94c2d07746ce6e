"""The location registry: `locations` for pickers, `importLocations` for administrators."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.locations import services
from backend.locations.csv_format import RowError
from backend.locations.models import Location
from graphql_schema.context import RequestContext
from graphql_schema.payloads import MutationPayload, UserError, mutation_payload
from graphql_schema.records.types import PageInfo


@strawberry.type(description="A name of a location in one locale.")
class LocalizedName:
    locale: str
    text: str


@strawberry.type(name="Location", description="An area of the tenant's location registry.")
class LocationInfo:
    code: str = strawberry.field(description="What location fields store.")
    parent_code: str | None
    admin_level: int = strawberry.field(description="0: country, 1, 2, ...: below it.")
    names: list[LocalizedName] = strawberry.field(description="The name in every locale given.")

    @classmethod
    def of(cls, location: Location) -> LocationInfo:
        return cls(
            code=location.code,
            parent_code=location.parent.code if location.parent_id and location.parent else None,
            admin_level=location.admin_level,
            names=[LocalizedName(locale=k, text=v) for k, v in location.names.items()],
        )


@strawberry.type
class LocationEdge:
    cursor: str
    node: LocationInfo


@strawberry.type
class LocationConnection:
    edges: list[LocationEdge]
    page_info: PageInfo


@strawberry.type
class LocationsQuery:
    @strawberry.field(
        description="Locations of your tenant by code: the children of `parent`, those at "
        f"`adminLevel`, or the given `codes` (at most {services.MAX_CODES}; to name the codes "
        f"a record holds). `first`: at most {services.MAX_PAGE_SIZE}, default "
        f"{services.DEFAULT_PAGE_SIZE}."
    )
    def locations(
        self,
        info: Info[RequestContext, None],
        parent: str | None = None,
        admin_level: int | None = None,
        codes: list[str] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> LocationConnection:
        page = services.locations_page(
            info.context.user,
            parent=parent,
            admin_level=admin_level,
            codes=codes,
            first=first,
            after=after,
        )
        edges = [
            LocationEdge(cursor=services.cursor_of(location), node=LocationInfo.of(location))
            for location in page.locations
        ]
        return LocationConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.type
class ImportLocationsPayload(MutationPayload):
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _row_error(error: RowError) -> UserError:
    path = ["csv", str(error.row), *([error.column] if error.column else [])]
    return UserError.of(error.code, f"row {error.row}: {error.message}", path)


@strawberry.type
class LocationsMutation:
    @strawberry.mutation(
        description="Load or update the location registry from CSV text "
        "(`code,parent_code,admin_level,name_en,name_fr,...`; rows in any order). Any bad row "
        "refuses the whole file: `errors` has one entry per problem, with path "
        '["csv", row, column]. Codes already stored keep their code; names, parents and '
        "levels are updated. Needs `manage_forms`."
    )
    @mutation_payload
    def import_locations(
        self, info: Info[RequestContext, None], csv: str, client_mutation_id: str | None = None
    ) -> ImportLocationsPayload:
        result = services.import_locations_csv(info.context.user, csv)
        if not result.ok:
            return ImportLocationsPayload(errors=[_row_error(e) for e in result.errors])
        return ImportLocationsPayload(
            created=result.created, updated=result.updated, unchanged=result.unchanged
        )
