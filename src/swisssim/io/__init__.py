"""Output folders: atomic staging, manifests and the writers of every analysis's tables and figures."""
