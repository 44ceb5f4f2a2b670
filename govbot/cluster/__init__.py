"""The cluster profile: replicas behind nginx, sharing PostgreSQL, Redis and the retrieval engine."""
