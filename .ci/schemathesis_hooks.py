"""Schemathesis hooks for DriftGuard's contract run (`cargo xtask contract`).

One rule of the API is beyond JSON Schema: a column plays at most one role among
`prediction`, `label`, `score` and `sensitive` (the OpenAPI document says so on
`ModelColumns`). Generated bodies that break it are not valid requests, so they are
dropped here instead of being reported as "schema-valid data rejected". `filter_case` (not
`filter_body`) because the coverage phase applies only case filters.
"""
import schemathesis


def _roles_are_distinct(columns):
    if not isinstance(columns, dict):
        return True
    names = [columns.get(role) for role in ("prediction", "label", "score")]
    sensitive = columns.get("sensitive")
    if isinstance(sensitive, list):
        names.extend(sensitive)
    names = [n for n in names if isinstance(n, str)]
    return len(names) == len(set(names))


@schemathesis.hook
def filter_case(context, case):
    body = getattr(case, "body", None)
    if not isinstance(body, dict):
        return True
    return _roles_are_distinct(body.get("columns"))


@schemathesis.auth(refresh_interval=60)
class AdminToken:
    """Signs in as the run's bootstrap admin (`cargo xtask contract` passes the address and
    credentials); a 401 makes schemathesis sign in again, so a run that ends the admin's own
    sessions goes on."""

    def get(self, case, context):
        import json
        import os
        import urllib.request

        request = urllib.request.Request(
            os.environ["DRIFTGUARD_CONTRACT_BASE"] + "/auth/login",
            data=json.dumps(
                {
                    "email": os.environ["DRIFTGUARD_CONTRACT_EMAIL"],
                    "password": os.environ["DRIFTGUARD_CONTRACT_PASSWORD"],
                }
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)["access_token"]

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
