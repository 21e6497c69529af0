"""Running on more than one database server: the replica router, replica health, outage handling and
time partitions (docs/operations.md, "Cluster")."""
