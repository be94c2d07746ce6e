"""Bounds on what one GraphQL document may cost: its size before validation, its query cost
before execution. See `extension.DocumentLimits`."""
