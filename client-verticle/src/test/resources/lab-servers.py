# The lab sheets' own UDP servers (shared/seeds 000, 001, 002), as the sheets wrote them, in one process so that
# lab-servers-check.sh can run udp-client against them. Only two things differ from the sheets: each server binds
# a free port (the sheets' fixed ports may be busy) and prints it, and the sink's Python 2 print is Python 3.
# Output: one line "ports greeting=P1 uppercase=P2 sink=P3", then whatever the servers print.
import socket
import sys
import threading


def greeting_server(sock):  # sheet 000, task 1
    bufferSize = 1024
    msgFromServer = "Hello UDP Client"
    bytesToSend = str.encode(msgFromServer)
    while True:
        bytesAddressPair = sock.recvfrom(bufferSize)
        message = bytesAddressPair[0]
        address = bytesAddressPair[1]
        print("message from client: " + message.decode(), flush=True)
        print("client IP address: {}".format(address), flush=True)
        sock.sendto(bytesToSend, address)


def uppercase_server(serverSocket):  # sheet 002, Kurose and Ross
    while True:
        message, clientAddress = serverSocket.recvfrom(2048)
        modifiedMessage = message.decode().upper()
        serverSocket.sendto(modifiedMessage.encode(), clientAddress)


def sink_server(sock):  # sheet 001
    while True:
        data, addr = sock.recvfrom(1024)  # buffer size is 1024 bytes
        print("received message:", data.decode(), flush=True)


def bound(host):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
servers = {"greeting": (bound(host), greeting_server),
           "uppercase": (bound(host), uppercase_server),
           "sink": (bound(host), sink_server)}
print("ports " + " ".join("%s=%d" % (name, s.getsockname()[1]) for name, (s, _) in servers.items()), flush=True)
for s, serve in servers.values():
    threading.Thread(target=serve, args=(s,), daemon=True).start()
threading.Event().wait()
