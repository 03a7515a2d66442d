package io.jnet.daemon;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The daemon's Unix sockets on the file system. */
public final class SocketFiles {

    private SocketFiles() {
    }

    /**
     * Binds {@code bootstrap} to {@code socket} with mode 0600. The socket is bound under a private name beside it and
     * linked into place only then, so that no caller ever finds it with the umask's mode; the link fails, as a bind
     * would, when another process got there first.
     */
    public static Channel bindPrivate(ServerBootstrap bootstrap, Path socket) throws IOException {
        Path bound = socket.resolveSibling("." + socket.getFileName() + "." + ProcessHandle.current().pid());
        Files.deleteIfExists(bound);
        Channel server = bootstrap.channel(EpollServerDomainSocketChannel.class)
                .bind(new DomainSocketAddress(bound.toString())).syncUninterruptibly().channel();
        try {
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.createLink(socket, bound);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close().syncUninterruptibly();
            if (e instanceof FileAlreadyExistsException) {
                throw new IOException(socket + " appeared while binding it: another process serves it", e);
            }
            throw e;
        } finally {
            Files.deleteIfExists(bound);
        }
    }
}
