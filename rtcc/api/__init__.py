"""HTTP and websocket interface; every route declares the permission it needs."""
