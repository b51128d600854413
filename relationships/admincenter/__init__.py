"""The customer's admin center (docs/admin-center.md): where invitation and agreement links lead.

A page package on top of the apps: ``views`` and ``urls`` are the pages;
``workflows.invitation_accept`` writes the relationship(s) and the customer's
own agreement acceptance in one transaction.
"""
