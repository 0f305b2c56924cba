/* The largest page order lowmem takes anywhere: in Orders, and in the
 * kernel's messages (order=N).
 *
 * The buddy allocator hands out orders below NR_PAGE_ORDERS (MAX_ORDER
 * before 6.4, which then became the largest order itself): 11 orders
 * (0..10) by default on x86 and most builds, ARCH_FORCE_MAX_ORDER raising
 * the top to 13 (arm64 with 64 KiB pages) or 16 (ia64 with huge pages).
 * With SPARSEMEM the top order's block must fit a memory section
 * (include/linux/mmzone.h: "Allocator MAX_ORDER exceeds SECTION_SIZE"), a
 * section being 2^30 bytes at most (ia64, sparc64): order 18 with 4 KiB
 * pages. A request above the top order fails before the OOM killer or
 * warn_alloc() is reached (__alloc_pages(): "order > MAX_PAGE_ORDER").
 * 20 leaves room above every kernel, and 2^20 pages of the largest pages
 * (256 KiB) are 2^38 bytes, far inside 64 bits. */
#ifndef LOWMEM_ORDER_H
#define LOWMEM_ORDER_H

#define PAGE_ORDER_MAX 20

#endif
