"""BagIt packages (RFC 8493): exporting assets with their files, metadata and history; restoring them."""
