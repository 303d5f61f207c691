"""typing.Protocol interfaces the core needs from the outside world."""
