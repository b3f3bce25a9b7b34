"""The grpcio-tools whose .proto files ddl.protobuf was generated from (by make protobuf-classes)."""

GRPCIO_TOOLS = "1.85.1"
