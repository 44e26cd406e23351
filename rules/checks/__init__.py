"""Every module here registers its checks with @rules.registry.check; the engine imports them all."""
