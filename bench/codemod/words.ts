/** Vocabulary for the synthetic repo, so names and shapes vary the way a real app's do. */
export const features = [
  'courses', 'lessons', 'chat', 'billing', 'profile', 'admin', 'schedule', 'reviews', 'quiz',
  'notifications', 'tutors', 'students', 'reports', 'settings', 'enrollments', 'payments', 'homework',
  'calendar', 'library', 'forum', 'analytics', 'onboarding', 'support', 'certificates', 'groups',
] as const

export const areas = ['list', 'detail', 'form', 'widgets', 'dialogs', 'cards', 'tables', 'filters', 'layout', 'shared'] as const

export const nouns = [
  'Course', 'Lesson', 'Tutor', 'Student', 'Invoice', 'Payment', 'Schedule', 'Review', 'Quiz', 'Answer',
  'Question', 'Message', 'Room', 'Badge', 'Report', 'Setting', 'Profile', 'Avatar', 'Session', 'Slot',
  'Coupon', 'Plan', 'Subscription', 'Certificate', 'Group', 'Thread', 'Post', 'Comment', 'Attachment', 'Grade',
] as const

export const qualifiers = [
  'List', 'Card', 'Form', 'Table', 'Item', 'Panel', 'Dialog', 'Header', 'Footer', 'Summary', 'Picker',
  'Editor', 'Viewer', 'Filter', 'Badge', 'Row', 'Grid', 'Chart', 'Stats', 'Preview', 'Toolbar', 'Menu',
] as const

export const fields = [
  'id', 'title', 'name', 'email', 'status', 'price', 'createdAt', 'updatedAt', 'courseId', 'tutorId',
  'studentId', 'score', 'duration', 'startsAt', 'endsAt', 'description', 'avatarUrl', 'locale', 'rating',
  'capacity', 'currency', 'dueDate', 'position', 'isActive', 'tags', 'level', 'notes', 'slug',
] as const

export const fieldTypes: Record<string, string> = {
  id: 'number', title: 'string', name: 'string', email: 'string', status: "'draft' | 'published' | 'archived'",
  price: 'number', createdAt: 'string', updatedAt: 'string', courseId: 'number', tutorId: 'number',
  studentId: 'number', score: 'number', duration: 'number', startsAt: 'string', endsAt: 'string',
  description: 'string', avatarUrl: 'string | null', locale: "'th' | 'en'", rating: 'number', capacity: 'number',
  currency: "'THB' | 'USD'", dueDate: 'string', position: 'number', isActive: 'boolean', tags: 'string[]',
  level: "'beginner' | 'intermediate' | 'advanced'", notes: 'string', slug: 'string',
}

export const verbs = ['load', 'save', 'refresh', 'format', 'validate', 'select', 'toggle', 'reset', 'submit', 'sort', 'filter', 'open', 'close'] as const

export const socketEvents = ['new_message', 'typing', 'messages_read', 'room_updated', 'lesson_started', 'notification', 'presence'] as const
