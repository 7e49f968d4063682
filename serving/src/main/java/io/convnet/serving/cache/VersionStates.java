package io.convnet.serving.cache;

import java.util.Map;
import java.util.Set;

/**
 * The versions of one model a {@link ModelCache} has in hand.
 *
 * @param served  the version unversioned requests get, 0 when none
 * @param loaded  other versions loaded on demand
 * @param loading versions being loaded on demand
 * @param failed  versions that could not be loaded for serving, with the reason
 */
public record VersionStates(int served, Set<Integer> loaded, Set<Integer> loading, Map<Integer, String> failed) {
}
