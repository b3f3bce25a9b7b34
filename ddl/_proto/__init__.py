"""The .proto bridge: descriptors from protoc, ddl modules from descriptors, .proto text from ddl classes."""
