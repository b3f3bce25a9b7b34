"""A gRPC service declared in Python with ddl, served and called with grpcio: no .proto needed.

    python examples/chat_service.py serve --port 50051      # the server (Ctrl-C stops it)
    python examples/chat_service.py call --port 50051       # a client: one call of each kind
    ddl proto examples/chat_service.py --package chat.v1    # the .proto a client in any language uses

The server also offers gRPC reflection, so `grpcurl -plaintext localhost:50051 list` names it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent import futures

import grpc

import ddl
import ddl.grpc


class Message(ddl.Message):
    author: str = ""
    text: str = ""
    embedding: list[ddl.float32] = []


class Room(ddl.Message):
    name: str = ""


class Summary(ddl.Message):
    messages: int = 0
    words: int = 0


class Chat(ddl.Service, package="chat.v1"):
    """A chat room service: one method of each kind gRPC has."""

    def Post(self, request: Message) -> Summary:
        """Post one message; the reply counts its words."""
        raise NotImplementedError

    def History(self, request: Room) -> Iterator[Message]:
        """The room's messages, streamed."""
        raise NotImplementedError

    def Upload(self, request: Iterator[Message]) -> Summary:
        """Many messages in one call."""
        raise NotImplementedError

    def Converse(self, request: Iterator[Message]) -> Iterator[Message]:
        """An answer to each message, as they come."""
        raise NotImplementedError


class EchoChat(Chat):
    """The server's implementation: it keeps nothing and echoes everything."""

    def Post(self, request: Message) -> Summary:
        if not request.text:
            ddl.grpc.context().abort(grpc.StatusCode.INVALID_ARGUMENT, "an empty message")
        return Summary(messages=1, words=len(request.text.split()))

    def History(self, request: Room) -> Iterator[Message]:
        for i in range(3):
            yield Message(author="room", text=f"message {i} of {request.name}")

    def Upload(self, request: Iterator[Message]) -> Summary:
        messages = list(request)
        return Summary(messages=len(messages), words=sum(len(m.text.split()) for m in messages))

    def Converse(self, request: Iterator[Message]) -> Iterator[Message]:
        for message in request:
            yield Message(author="echo", text=message.text.upper(), embedding=message.embedding)


def serve(port: int) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    ddl.grpc.add_servicer(EchoChat(), server)
    ddl.grpc.add_reflection(server, Chat)
    server.add_insecure_port(f"[::]:{port}")
    server.start()
    print(f"chat.v1.Chat serving on port {port}", flush=True)
    server.wait_for_termination()


def call(port: int) -> None:
    with grpc.insecure_channel(f"localhost:{port}") as channel:
        chat = ddl.grpc.connect(Chat, channel, timeout=5)
        print("Post:", chat.Post(Message(author="ada", text="hello from ddl")))
        for message in chat.History(Room(name="lobby")):
            print("History:", message.text)
        print("Upload:", chat.Upload(iter([Message(text="one two"), Message(text="three")])))
        for answer in chat.Converse(iter([Message(text="ping", embedding=[0.5, 0.25])])):
            print("Converse:", answer)
        try:
            chat.Post(Message(author="ada"))
        except grpc.RpcError as error:
            print("Post of an empty message:", error.code().name, error.details())


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("role", choices=["serve", "call"])
    parser.add_argument("--port", type=int, default=50051)
    args = parser.parse_args(argv)
    if args.role == "serve":
        serve(args.port)
    else:
        call(args.port)


if __name__ == "__main__":
    main(sys.argv[1:])
