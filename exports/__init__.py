"""Every file the product makes, as pure functions: plain data in, bytes out."""
