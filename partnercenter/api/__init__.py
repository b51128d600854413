"""The REST API's shared machinery (ARCHITECTURE.md "The API"): tokens, Partner Center's
error body, continuation paging, ``MS-RequestId`` replay and rate limits. The endpoints
live beside the apps they serve (``customers/api.py`` and its neighbours)."""
