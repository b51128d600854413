"""Running it as a service: health probes, Prometheus metrics, structured logs, a shared cache."""
