#!/usr/bin/env python3
"""The lab sheets' own Python clients (../shared/seeds), run against udp-server.jar to check the answers.

Usage: java -jar server-verticle/target/udp-server.jar all &   then   python3 lab-clients.py [HOST]
Each client is the sheet's code with only these changes: Python 3 print/bytes where a sheet used Python 2
(sheet 001), a receive timeout so a missing reply fails instead of hanging, and the task-4 receive loop
bounded by n. The greeting lab used port 20001; our greeting server has port 20000 (20001 is echo), so
task 1 and task 3 are run against both. Exits non-zero on the first wrong answer.
"""
import socket
import sys

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
failures = 0


def check(name, got, expected):
    global failures
    ok = got == expected
    failures += 0 if ok else 1
    print(("ok   " if ok else "FAIL ") + name + ": " + repr(got) + ("" if ok else " expected " + repr(expected)))


def greeting_client(port):
    # Sheet 000 client.py / sheet 004 task 1 client.py
    msgFromClient = "Hello UDP Server"
    bytesToSend = str.encode(msgFromClient)
    serverAddressPort = (HOST, port)
    bufferSize = 1024
    UDPClientSocket = socket.socket(family=socket.AF_INET, type=socket.SOCK_DGRAM)
    UDPClientSocket.settimeout(2)
    UDPClientSocket.sendto(bytesToSend, serverAddressPort)
    msgFromServer = UDPClientSocket.recvfrom(bufferSize)
    msg = "Message from Server {}".format(msgFromServer[0])
    print(msg)
    return msgFromServer[0]


def uppercase_client(sentence):
    # Sheet 002 client (Kurose and Ross), with input() replaced by the argument
    serverName = HOST
    serverPort = 12000
    clientSocket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    clientSocket.settimeout(2)
    message = sentence
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
    print(modifiedMessage.decode())
    clientSocket.close()
    return modifiedMessage.decode()


def sink_client():
    # Sheet 001 client.py, Python 3
    UDP_IP = HOST
    UDP_PORT = 5005
    MESSAGE = "Hello, World!"
    print("UDP target IP:", UDP_IP)
    print("UDP target port:", UDP_PORT)
    print("message:", MESSAGE)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(MESSAGE.encode(), (UDP_IP, UDP_PORT))


def two_servers_client():
    # Sheet 004 task 2 client.py: one socket, two servers
    msgFromClient = "Helllo UDP Server"
    bytesToSend = str.encode(msgFromClient)
    serverAddressPort = (HOST, 20001)
    serverAddressPort2 = (HOST, 20000)
    buffersize = 1024
    UDPClientSocket = socket.socket(family=socket.AF_INET, type=socket.SOCK_DGRAM)
    UDPClientSocket.settimeout(2)
    UDPClientSocket.sendto(bytesToSend, serverAddressPort)
    UDPClientSocket.sendto(bytesToSend, serverAddressPort2)
    replies = {}
    for _ in range(2):
        data, address = UDPClientSocket.recvfrom(buffersize)
        replies[address[1]] = data.decode()
    return replies


def connected_client(port):
    # Sheet 004 task 3 client3.py: connect() then send/recv
    msgFromClient = "Helllo UDP Server"
    bytesToSend = str.encode(msgFromClient)
    buffersize = 1024
    UDPClientSocket = socket.socket(family=socket.AF_INET, type=socket.SOCK_DGRAM)
    UDPClientSocket.settimeout(2)
    UDPClientSocket.connect((HOST, port))
    UDPClientSocket.send(bytesToSend)
    msgFromServer = UDPClientSocket.recv(buffersize).decode()
    print("Message from server: " + msgFromServer)
    return msgFromServer


def numbers_client(n):
    # Sheet 004 task 4 client2.py against the echo server: send 1..n, then read the echoes
    serverAddressPort = (HOST, 20001)
    buffersize = 1024
    UDPClientSocket = socket.socket(family=socket.AF_INET, type=socket.SOCK_DGRAM)
    UDPClientSocket.settimeout(2)
    for i in range(0, n):
        UDPClientSocket.sendto(str.encode(str(i + 1)), serverAddressPort)
    got = []
    try:
        while len(got) < n:
            got.append(UDPClientSocket.recvfrom(buffersize)[0].decode())
    except socket.timeout:
        pass
    return got


check("greeting on 20000", greeting_client(20000), b"Hello UDP Client")
check("sheet-000 port 20001 is our echo", greeting_client(20001), b"Hello UDP Server")
check("uppercase", uppercase_client("hello from the lab sheet"), "HELLO FROM THE LAB SHEET")
check("uppercase utf-8", uppercase_client("straße über"), "STRASSE ÜBER")
sink_client()
check("one client two servers", two_servers_client(), {20001: "Helllo UDP Server", 20000: "Hello UDP Client"})
check("connected client, greeting", connected_client(20000), "Hello UDP Client")
check("connected client, echo", connected_client(20001), "Helllo UDP Server")
check("numbers 1..8 echoed", numbers_client(8), [str(i) for i in range(1, 9)])
sys.exit(1 if failures else 0)
