"""Reports: aggregates over the records a caller may see, small cells suppressed, and the
dashboards roles are configured to show."""
