"""Wire shapes (msgspec Structs), one module per API area; requests forbid unknown fields."""
