"""The agency's own workflows around the live picture: private cameras, requests, cases."""
