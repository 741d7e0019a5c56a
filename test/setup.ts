// @peculiar/x509 needs the reflect polyfill loaded before it (see shared NOTES).
import 'reflect-metadata';
