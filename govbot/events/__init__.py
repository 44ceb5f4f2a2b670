"""Life events (一件事一次办): plans across the guides an event bundles, and its analytics."""
