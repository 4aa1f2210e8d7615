"""Kelisim as replicas on one machine: a small load balancer and the cluster runner that the
cluster test and benchmark start (docs/deployment.md)."""
