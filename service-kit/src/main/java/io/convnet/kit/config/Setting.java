package io.convnet.kit.config;

/**
 * One environment variable the kit reads.
 *
 * @param name         the variable, {@code CONVNET_*}
 * @param defaultValue used when the variable is unset or blank; text for people when the
 *                     default depends on the service (e.g. "{@code <service>-replies}")
 * @param meaning      one line for the table in docs/configuration.md
 */
public record Setting(String name, String defaultValue, String meaning) {
}
