"""What operators see: Prometheus metrics, structured JSON logs, a request id per request."""
