"""Running the cell in production: health and readiness for the load balancer, Prometheus metrics."""
