"""Wire objects (msgspec Structs), one module per API section."""
