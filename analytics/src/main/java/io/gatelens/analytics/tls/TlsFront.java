package io.gatelens.analytics.tls;

import java.util.Locale;

/**
 * What TLS statistics are kept per: the server name a client asked for (SNI), or, when its
 * ClientHello named none (or could not be parsed), the server's address and port; past the bound of
 * fronts per minute, the one shared {@link Kind#OTHER} front.
 *
 * <p>A kind of its own rather than one string key: an SNI comes off the wire and may spell anything,
 * an address included, so the two must not share a namespace.
 *
 * @param kind what the name is
 * @param name SNI lower-cased (DNS names are case-insensitive) and cut to {@value #MAX_NAME_CHARS}
 *     chars; {@code 10.0.0.1:443} or {@code [2001:db8::1]:443}; {@value #OTHER_NAME} for {@link Kind#OTHER}
 */
public record TlsFront(Kind kind, String name) {
    /** Longer server names are cut here (a DNS name has at most 253; anything longer is hostile or broken). */
    public static final int MAX_NAME_CHARS = 512;

    public enum Kind {
        SNI("sni"), ADDRESS("address"), OTHER("other");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** The name in the store and the API. */
        public String id() {
            return id;
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Kind of(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("kind must be sni, address or other, not '"
                + (id.length() > 32 ? id.substring(0, 32) + "..." : id) + "'");
        }
    }

    public static final String OTHER_NAME = "{other-fronts}";
    public static final TlsFront OTHER = new TlsFront(Kind.OTHER, OTHER_NAME);

    public TlsFront {
        if (kind == null || name == null) {
            throw new IllegalArgumentException("kind and name are required, got " + kind + ", " + name);
        }
    }

    public static TlsFront sni(String sni) {
        String s = sni.length() > MAX_NAME_CHARS ? sni.substring(0, MAX_NAME_CHARS) : sni;
        return new TlsFront(Kind.SNI, s.toLowerCase(Locale.ROOT));
    }

    public static TlsFront address(String address, int port) {
        String a = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
        return new TlsFront(Kind.ADDRESS, a + ":" + port);
    }

    /** The front a handshake is counted under (before the per-minute bound). */
    public static TlsFront of(TlsHandshakeFacts f) {
        return f.sni() != null && !f.sni().isEmpty() ? sni(f.sni()) : address(f.serverAddress(), f.serverPort());
    }

    /**
     * The host a spec's server binding would name for this front: the SNI, or the address without
     * its port (IPv6 in brackets, as URLs write it); null for {@link Kind#OTHER}.
     */
    public String host() {
        return switch (kind) {
            case SNI -> name;
            case ADDRESS -> name.substring(0, name.lastIndexOf(':'));
            case OTHER -> null;
        };
    }
}
