"""Host name resolution through the operating system's resolver, off the event loop."""

from __future__ import annotations

import socket

import anyio

__all__ = ["SystemResolver"]


class SystemResolver:
    async def resolve(self, host: str, port: int) -> list[str]:
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        seen: list[str] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = str(sockaddr[0])
            if address not in seen:
                seen.append(address)
        return seen
