#! /bin/sh
# Generates configure and Makefile.in from a fresh checkout.
autoreconf --install --force
