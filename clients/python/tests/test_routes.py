"""The client keeps in step with the server: every operation of the real server's
``/openapi.json`` is a route the client calls, and the client calls no route the server
does not have."""

import driftguard


def operations(document: dict) -> set[tuple[str, str]]:
    methods = {"get", "post", "put", "patch", "delete", "head", "options"}
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in methods
    }


def test_the_client_has_a_method_for_every_route_of_the_server(admin: driftguard.Client) -> None:
    served = operations(admin.system.openapi())
    called = {(r.method, r.path) for r in driftguard.ROUTES}
    assert served, "the document lists no operations"
    assert sorted(served - called) == [], "routes the client lacks"
    assert sorted(called - served) == [], "routes the server does not have"
