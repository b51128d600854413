"""Bulk confirmation from CSV: Agreement compliance → **Confirm in bulk**.

Three modules, one reason to change each: ``files`` (the CSV text and its rows),
``checks`` (every row by the one-row rules, set-based) and ``jobs`` (validating,
recording in one transaction, the background jobs' entry points).

A partner uploads a file of confirmations (``agreements.compliance.BULK_COLUMNS``:
the customer's domain or tenant ID, the person who accepted and the date);
``bulk_validate`` (a background job) checks every row by the one-row
service's rules — A1/A2 (``acceptance_rule_errors``), A3 and the phone
(``acceptor_errors``), A7 (``national_cloud_message``), A8
(``customers_served_by``), A12 (``A12_MESSAGE``) — with a few set-based
queries per BATCH rows, never the one-row service per row. **Confirm** runs
``bulk_record``: the same checks again, then every valid row in one
transaction (``bulk_create``), the status rows of those customers, one audit
event per record and the webhook events — or nothing, in all-or-nothing
mode, if any row isn't valid. A5/A6 (``check_may_attest``) are checked
before either. Rows already recorded (a re-upload) are skipped, never
recorded twice (A12).
"""
