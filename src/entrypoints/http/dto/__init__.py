"""Wire DTOs (msgspec Structs), one module per API section."""
