/** The echo server demo runs in its own process (until demo runs the server module's). */
package dev.udplab.client.demo;
