"""The peer service for the comparison benchmarks (fin-infra + svc-infra), and its data set."""
