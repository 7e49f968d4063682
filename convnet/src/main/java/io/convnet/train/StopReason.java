package io.convnet.train;

/** Why training ended. */
public enum StopReason { COMPLETED, EARLY_STOPPED, CANCELLED }
