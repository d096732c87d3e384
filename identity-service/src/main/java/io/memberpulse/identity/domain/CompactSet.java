package io.memberpulse.identity.domain;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A set for the graph's many small sets (a member's phones, stores, names; the members behind a
 * blocking key): almost all hold one to three values, for which a HashSet costs some 120 bytes and
 * an empty one 64. Up to {@link #ARRAY_LIMIT} values sit in an array (scanned; nothing allocated
 * while empty); beyond that a HashSet takes over. Not thread-safe, like the graph.
 */
final class CompactSet<E> extends AbstractSet<E> {
    static final int ARRAY_LIMIT = 8;

    private Object[] values; // null while empty
    private int size;
    private HashSet<E> large; // once more than ARRAY_LIMIT values were held

    @Override
    public int size() {
        return large != null ? large.size() : size;
    }

    @Override
    public boolean contains(Object value) {
        return large != null ? large.contains(value) : indexOf(value) >= 0;
    }

    @Override
    public boolean add(E value) {
        if (large != null) {
            return large.add(value);
        }
        if (indexOf(value) >= 0) {
            return false;
        }
        if (size == ARRAY_LIMIT) {
            large = new HashSet<>(ARRAY_LIMIT * 4);
            for (int i = 0; i < size; i++) {
                large.add(element(i));
            }
            values = null;
            size = 0;
            return large.add(value);
        }
        if (values == null) {
            values = new Object[2];
        } else if (size == values.length) {
            values = Arrays.copyOf(values, Math.min(ARRAY_LIMIT, size * 2));
        }
        values[size++] = value;
        return true;
    }

    @Override
    public boolean remove(Object value) {
        if (large != null) {
            return large.remove(value);
        }
        int at = indexOf(value);
        if (at < 0) {
            return false;
        }
        removeAt(at);
        return true;
    }

    @Override
    public Iterator<E> iterator() {
        if (large != null) {
            return large.iterator();
        }
        return new Iterator<>() {
            private int next;
            private boolean removable;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public E next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                removable = true;
                return element(next++);
            }

            @Override
            public void remove() {
                if (!removable) {
                    throw new IllegalStateException();
                }
                removable = false;
                removeAt(--next);
            }
        };
    }

    @SuppressWarnings("unchecked")
    private E element(int i) {
        return (E) values[i];
    }

    private int indexOf(Object value) {
        for (int i = 0; i < size; i++) {
            if (values[i].equals(value)) {
                return i;
            }
        }
        return -1;
    }

    private void removeAt(int at) {
        System.arraycopy(values, at + 1, values, at, size - at - 1);
        values[--size] = null;
    }
}
