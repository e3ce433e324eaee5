"""A fault-injecting TCP proxy in front of the test Dovecot (loopback only).

Modes, applied to server->client bytes once `after` bytes have passed:
  pass     forward everything
  cut      close both sides (a connection cut mid-FETCH)
  stall    stop forwarding, keep the connection open (a stalled server)
  garbage  send junk instead of the server's responses, then close
"""

from __future__ import annotations

import random
import socket
import threading


class FaultProxy:
    def __init__(self, target_port: int, mode: str = "pass", after: int = 0) -> None:
        self.target_port, self.mode, self.after = target_port, mode, after
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.faults = 0
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_server: bool) -> None:
        sent = 0
        rng = random.Random(1)
        try:
            while not self.closed.is_set():
                data = src.recv(4096)
                if not data:
                    break
                if from_server and self.mode != "pass" and sent + len(data) > self.after:
                    self.faults += 1
                    if self.mode == "stall":
                        self.closed.wait(120)  # hold the connection open, forward nothing
                        break
                    if self.mode == "garbage":
                        for _ in range(50):
                            dst.sendall(bytes(rng.randrange(256) for _ in range(200)) + b"\r\n")
                    break  # cut (and garbage, after the junk): close both sides
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):  # shutdown first: close() alone sends no FIN while the other pump is in recv()
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                try:
                    s.close()
                except OSError:
                    pass

    def close(self) -> None:
        self.closed.set()
        self.listener.close()
