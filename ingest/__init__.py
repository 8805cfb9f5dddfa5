"""Knowledge base: load policy documents → structure-aware chunks → embed → store in Qdrant."""
