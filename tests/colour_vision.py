"""Colour-vision simulation for checking the palette: sRGB in, what a deuteranope sees out, ΔE between colours."""

import numpy as np

# Machado, Oliveira & Fernandes (2009), deuteranopia at severity 1.0, applied to linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968],
                         [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
D65 = np.array([0.95047, 1.0, 1.08883])


def hex_rgb(colour: str) -> np.ndarray:
    """'#d55e00' to [0.835, 0.369, 0.0] (sRGB in [0, 1])."""
    colour = colour.lstrip("#")
    return np.array([int(colour[i:i + 2], 16) for i in (0, 2, 4)]) / 255.0


def to_linear(srgb):
    """sRGB's transfer curve undone: c/12.92 below 0.04045, ((c + 0.055)/1.055)^2.4 above."""
    srgb = np.asarray(srgb, dtype=float)
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def to_srgb(linear):
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def deuteranopia(srgb):
    """sRGB values (..., 3) in [0, 1] as a deuteranope sees them (Machado 2009, severity 1)."""
    return to_srgb(to_linear(srgb) @ DEUTERANOPIA.T)


def lab(srgb):
    """CIELAB (D65) of sRGB values (..., 3) in [0, 1]."""
    xyz = (to_linear(srgb) @ SRGB_TO_XYZ.T) / D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def delta_e(first, second) -> float:
    """CIE76 ΔE between two sRGB colours: about 2 is just noticeable, above 20 clearly different."""
    return float(np.linalg.norm(lab(first) - lab(second)))
